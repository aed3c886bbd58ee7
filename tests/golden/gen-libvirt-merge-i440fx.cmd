gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain tests/libvirt/domains/pc-i440fx.xml 04:00.0
