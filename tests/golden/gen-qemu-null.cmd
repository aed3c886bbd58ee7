gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 -0 04:00.0 | tr '\0' '|'
