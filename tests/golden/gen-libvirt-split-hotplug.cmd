gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.8 --split-functions --hotplug off 03:00
