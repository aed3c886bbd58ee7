gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-addr 12 04:00.0
