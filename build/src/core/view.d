build/src/core/view.o: src/core/view.c src/core/core_int.h \
 src/core/core.h src/core/program.h src/core/exc.h src/core/stage.h \
 src/core/mem.h
src/core/core_int.h:
src/core/core.h:
src/core/program.h:
src/core/exc.h:
src/core/stage.h:
src/core/mem.h:
