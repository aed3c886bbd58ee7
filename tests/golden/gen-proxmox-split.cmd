gen-proxmox -F examples/gpu-workstation.lspci --kernel-version 6.8 --qemu-version 8.1 --split-functions --hotplug off 07:00
