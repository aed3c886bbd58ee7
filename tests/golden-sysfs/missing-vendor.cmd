probe --sysfs tests/out/sysfs/novendor --all -n
