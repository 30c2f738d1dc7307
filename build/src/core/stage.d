build/src/core/stage.o: src/core/stage.c src/core/stage.h
src/core/stage.h:
