probe --sysfs tests/out/sysfs/gpu -n
