gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.8 --numa 03:00
