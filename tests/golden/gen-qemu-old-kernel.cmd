gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.1 03:00.0 -o json
