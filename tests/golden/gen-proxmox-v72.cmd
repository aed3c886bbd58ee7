gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 7.2 --x-vga 03:00 05:00.0
