gen-qemu-args --sysfs tests/out/sysfs/gpu --qemu-version 9.0 --kernel-version 6.8 -o json
