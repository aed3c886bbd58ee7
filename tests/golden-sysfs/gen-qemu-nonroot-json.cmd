gen-qemu-args --sysfs tests/out/sysfs/gpu-nonroot --qemu-version 8.1 -o json 03:00.0
