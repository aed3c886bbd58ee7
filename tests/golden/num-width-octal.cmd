gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --width 010 04:00.0
