help probe > /dev/full
