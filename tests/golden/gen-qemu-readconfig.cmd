gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 10.0 -o readconfig 03:00
