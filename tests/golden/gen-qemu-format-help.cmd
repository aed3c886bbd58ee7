gen-qemu-args --format help
