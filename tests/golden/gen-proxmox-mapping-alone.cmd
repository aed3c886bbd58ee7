gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 9.2 --mapping tests/proxmox/pci.cfg 03:00
