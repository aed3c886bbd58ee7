probe --sysfs tests/out/sysfs/does-not-exist
