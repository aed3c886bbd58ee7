gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --speed 8 --width 06:00=2 04:00.0 06:00.0
