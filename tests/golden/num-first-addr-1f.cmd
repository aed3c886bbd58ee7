gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-addr 0x1f 04:00.0
