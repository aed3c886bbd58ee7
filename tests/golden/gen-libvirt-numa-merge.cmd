gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 8.1 --kernel-version 6.8 --numa --numa-node 03:00=1 --domain tests/libvirt/domains/q35-default-defined.xml 03:00
