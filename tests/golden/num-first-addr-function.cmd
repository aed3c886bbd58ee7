gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-addr 0c.1 04:00.0
