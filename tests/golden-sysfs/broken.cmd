probe --sysfs tests/out/sysfs/broken --all -n
