check -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain tests/data/vms/domain-gpu.xml
