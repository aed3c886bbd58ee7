check --qemu-cmdline x --mapping tests/proxmox/pci.cfg --dump examples/gpu-workstation.lspci
