build/src/core/program.o: src/core/program.c src/core/program.h \
 src/core/exc.h src/core/mem.h
src/core/program.h:
src/core/exc.h:
src/core/mem.h:
