gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 99999999999.1 04:00.0
