gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 -o args 04:00.0 06:00.0
