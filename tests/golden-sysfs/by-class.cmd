probe --sysfs tests/out/sysfs/gpu -n -d ::0108
