gen-qemu-args -o json --sysfs tests/out/sysfs/gpu --qemu-version 7.2 --kernel-version 6.8 --all
