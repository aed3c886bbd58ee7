gen-qemu-args --sysfs tests/out/sysfs/gpu-nonroot --qemu-version 9.0
