gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-addr 0 04:00.0
