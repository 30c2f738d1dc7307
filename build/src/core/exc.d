build/src/core/exc.o: src/core/exc.c src/core/exc.h
src/core/exc.h:
