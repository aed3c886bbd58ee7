gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --speed 32 05:00.0
