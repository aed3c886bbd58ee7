gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 9.2 --first-addr 0x11 03:00
