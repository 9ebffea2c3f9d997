package io.highlander.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * The large scale part's singleton classes, made at run time: a thousand hand-written classes would be noise in the
 * sources, and the library's runtime dependencies stay as they are (no bytecode library: the class file is small
 * enough to write here). Class {@code i} is {@code io.highlander.benchmarks.ScaleProbe<i>}, a subclass of
 * {@link ScaleProbe} with a package-private no-argument constructor (Weld's client proxy needs one), annotated
 * {@code @ApplicationScoped @ClusterSingleton("l<i>")}: in Java, {@code @ApplicationScoped @ClusterSingleton("l0007")
 * class ScaleProbe7 extends ScaleProbe { }}. Defined once per JVM in this package's class loader, so every Weld
 * container of the JVM shares them.
 */
final class ScaleProbes {

    private static final List<Class<?>> DEFINED = new ArrayList<>();

    private ScaleProbes() {
    }

    /** @return the singleton name of class {@code index} */
    static String name(int index) {
        return String.format("l%04d", index);
    }

    /** @return the first {@code count} classes, defining those not defined yet */
    static synchronized List<Class<?>> first(int count) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        while (DEFINED.size() < count) {
            int index = DEFINED.size();
            try {
                DEFINED.add(lookup.defineClass(classFile("io/highlander/benchmarks/ScaleProbe" + index, name(index))));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.copyOf(DEFINED.subList(0, count));
    }

    /** The class file (Java 17, version 61): a constructor that calls super(), and the two annotations. */
    private static byte[] classFile(String internalName, String singleton) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(61);
            out.writeShort(15); // constant pool entries 1..14
            utf8(out, internalName);                                        // #1
            out.writeByte(7);                                               // #2 Class #1
            out.writeShort(1);
            utf8(out, "io/highlander/benchmarks/ScaleProbe");               // #3
            out.writeByte(7);                                               // #4 Class #3
            out.writeShort(3);
            utf8(out, "<init>");                                            // #5
            utf8(out, "()V");                                               // #6
            out.writeByte(12);                                              // #7 NameAndType #5 #6
            out.writeShort(5);
            out.writeShort(6);
            out.writeByte(10);                                              // #8 Methodref #4 #7
            out.writeShort(4);
            out.writeShort(7);
            utf8(out, "Code");                                              // #9
            utf8(out, "RuntimeVisibleAnnotations");                         // #10
            utf8(out, "Ljakarta/enterprise/context/ApplicationScoped;");    // #11
            utf8(out, "Lio/highlander/cdi/ClusterSingleton;");              // #12
            utf8(out, "value");                                             // #13
            utf8(out, singleton);                                           // #14
            out.writeShort(0x0020); // ACC_SUPER; package-private, not final (Weld subclasses it for its proxy)
            out.writeShort(2);      // this
            out.writeShort(4);      // super
            out.writeShort(0);      // interfaces
            out.writeShort(0);      // fields
            out.writeShort(1);      // methods: the constructor, package-private
            out.writeShort(0);
            out.writeShort(5);
            out.writeShort(6);
            out.writeShort(1);      // its Code attribute
            out.writeShort(9);
            out.writeInt(17);       // 2 + 2 + 4 + 5 (code) + 2 + 2
            out.writeShort(1);      // max stack
            out.writeShort(1);      // max locals
            out.writeInt(5);
            out.write(new byte[] {0x2A, (byte) 0xB7, 0x00, 0x08, (byte) 0xB1}); // aload_0; invokespecial #8; return
            out.writeShort(0);      // exception table
            out.writeShort(0);      // code attributes
            out.writeShort(1);      // class attributes: the annotations
            out.writeShort(10);
            out.writeInt(15);       // 2 + (2 + 2) + (2 + 2 + 2 + 1 + 2)
            out.writeShort(2);
            out.writeShort(11);     // @ApplicationScoped
            out.writeShort(0);
            out.writeShort(12);     // @ClusterSingleton(value = "...")
            out.writeShort(1);
            out.writeShort(13);
            out.writeByte('s');
            out.writeShort(14);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void utf8(DataOutputStream out, String text) throws IOException {
        out.writeByte(1);
        out.writeUTF(text); // modified UTF-8 with its length: what a class file's Utf8 entry holds
    }
}
