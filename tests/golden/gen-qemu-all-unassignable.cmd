gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --all -s 00:
