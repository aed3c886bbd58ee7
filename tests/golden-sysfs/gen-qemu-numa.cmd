gen-qemu-args --sysfs tests/out/sysfs/gpu --qemu-version 10.0 --numa -n
