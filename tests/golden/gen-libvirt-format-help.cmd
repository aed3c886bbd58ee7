gen-libvirt-xml --format help
