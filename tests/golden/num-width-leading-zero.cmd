gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --width 08 --speed 04:00=08 04:00.0
