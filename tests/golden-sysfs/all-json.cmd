probe --sysfs tests/out/sysfs/gpu --all -n -o json
