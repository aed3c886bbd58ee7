gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --bus pxb1 --first-addr 1f --split-functions 03:00 04:00.0
