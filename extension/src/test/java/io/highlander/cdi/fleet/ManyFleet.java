package io.highlander.cdi.fleet;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * As many cluster singletons as a test asks for, {@code many-0000} and up, made at run time (two hundred hand-written
 * classes would be noise): class {@code i} is, in Java, {@code @ApplicationScoped @ClusterSingleton("many-000i")
 * class Numbered<i> extends Numbered { }}. Defined once per JVM in this package, so every node of a test shares them.
 */
public final class ManyFleet {

    private static final List<Class<?>> DEFINED = new ArrayList<>();

    private ManyFleet() {
    }

    /** @return the singleton name of class {@code index} */
    public static String name(int index) {
        return String.format("many-%04d", index);
    }

    /** @return the first {@code count} classes, defining those not defined yet */
    public static synchronized List<Class<?>> first(int count) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        while (DEFINED.size() < count) {
            int index = DEFINED.size();
            try {
                DEFINED.add(lookup.defineClass(classFile("io/highlander/cdi/fleet/Numbered" + index, name(index))));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.copyOf(DEFINED.subList(0, count));
    }

    /** The class file (Java 17): a constructor that calls super(), and the two annotations. */
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
            utf8(out, "io/highlander/cdi/fleet/Numbered");                  // #3
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
            out.writeShort(0x0021); // ACC_PUBLIC | ACC_SUPER, not final (Weld subclasses it for its proxy)
            out.writeShort(2);      // this
            out.writeShort(4);      // super
            out.writeShort(0);      // interfaces
            out.writeShort(0);      // fields
            out.writeShort(1);      // methods: the constructor, public
            out.writeShort(0x0001);
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
        out.writeUTF(text);
    }
}
