gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 8.1 --split-functions 03:00 07:00
