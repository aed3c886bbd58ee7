probe --sysfs tests/out/sysfs/gpu-nonroot -n -o json 03:00.0 07:00.0
