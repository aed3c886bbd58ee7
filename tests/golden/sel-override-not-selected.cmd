gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --speed 03:00=8 04:00.0
