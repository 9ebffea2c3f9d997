package io.highlander.cdi.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;

/**
 * The class file of a cluster singleton made at run time, for tests and benchmarks that need hundreds of them
 * (hand-written classes would be noise, and no bytecode library is needed for a class this small): in Java,
 * {@code @ApplicationScoped @ClusterSingleton("<name>") class <Sub> extends <Super> { <Sub>() { super(); } }}. The
 * class is not final and has a no-argument constructor, since Weld subclasses it for its client proxy.
 */
public final class SingletonClassFile {

    private SingletonClassFile() {
    }

    /**
     * Defines the class in the lookup's package (the superclass must be there and have an accessible no-argument
     * constructor).
     *
     * @param lookup    a full-privilege lookup of a class in the package to define it in
     * @param simpleName the new class's simple name
     * @param superclass the class it extends, in the same package
     * @param singleton  the value of its {@code @ClusterSingleton}
     * @return the defined class
     */
    public static Class<?> define(MethodHandles.Lookup lookup, String simpleName, Class<?> superclass, String singleton) {
        String superName = superclass.getName().replace('.', '/');
        String internalName = superName.substring(0, superName.lastIndexOf('/') + 1) + simpleName;
        try {
            return lookup.defineClass(of(internalName, superName, singleton));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The class file (Java 17, version 61): a public constructor that calls super(), and the two annotations. */
    static byte[] of(String internalName, String superName, String singleton) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(61);
            out.writeShort(15); // constant pool entries 1..14
            utf8(out, internalName);                                        // #1
            out.writeByte(7);                                               // #2 Class #1
            out.writeShort(1);
            utf8(out, superName);                                           // #3
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
        out.writeUTF(text); // modified UTF-8 with its length: what a class file's Utf8 entry holds
    }
}
