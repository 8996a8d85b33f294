package io.greenline.it.helm;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Just enough of the tar format (POSIX ustar, with pax and GNU long-name records) to read a
 * container image tarball and its layers as streams, and to write a small image tarball. The JDK has
 * no tar support and the tests need nothing more.
 */
final class Tar {

    private static final int BLOCK = 512;

    /** One entry of an archive. */
    record Entry(String name, long size, int mode, char type) {
        boolean isFile() {
            return type == '0' || type == '\0';
        }

        boolean isDirectory() {
            return type == '5';
        }
    }

    /** Receives each entry with a stream over exactly its content. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(Entry entry, InputStream content) throws IOException;
    }

    private Tar() {
    }

    /** Streams through an archive, calling the visitor for every file and directory entry. */
    static void read(InputStream in, EntryVisitor visitor) throws IOException {
        byte[] header = new byte[BLOCK];
        String longName = null;
        while (true) {
            if (!readBlock(in, header)) {
                return;
            }
            if (isZero(header)) {
                return;
            }
            String name = text(header, 0, 100);
            String prefix = text(header, 345, 155);
            if (!prefix.isEmpty() && "ustar".equals(text(header, 257, 5))) {
                name = prefix + "/" + name;
            }
            long size = octal(header, 124, 12);
            int mode = (int) octal(header, 100, 8);
            char type = (char) header[156];
            if (type == 'x' || type == 'L') {
                byte[] data = readFully(in, size);
                skipPadding(in, size);
                longName = type == 'L' ? cString(data) : paxPath(data, longName);
                continue;
            }
            if (type == 'g') {
                skip(in, size);
                skipPadding(in, size);
                continue;
            }
            Entry entry = new Entry(longName != null ? longName : name, size, mode, type);
            longName = null;
            BoundedStream content = new BoundedStream(in, size);
            visitor.visit(entry, content);
            content.drain();
            skipPadding(in, size);
        }
    }

    /** Writes one regular file entry (mode 0644, owner 0, time 0). */
    static void writeFile(OutputStream out, String name, byte[] content) throws IOException {
        byte[] header = new byte[BLOCK];
        put(header, 0, 100, name);
        put(header, 100, 8, String.format("%07o", 0644));
        put(header, 108, 8, String.format("%07o", 0));
        put(header, 116, 8, String.format("%07o", 0));
        put(header, 124, 12, String.format("%011o", content.length));
        put(header, 136, 12, String.format("%011o", 0));
        header[156] = '0';
        put(header, 257, 6, "ustar");
        put(header, 263, 2, "00");
        Arrays.fill(header, 148, 156, (byte) ' ');
        int checksum = 0;
        for (byte b : header) {
            checksum += b & 0xff;
        }
        put(header, 148, 8, String.format("%06o", checksum));
        header[155] = ' ';
        out.write(header);
        out.write(content);
        int padding = (BLOCK - content.length % BLOCK) % BLOCK;
        out.write(new byte[padding]);
    }

    /** Ends an archive with the two zero blocks. */
    static void finish(OutputStream out) throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    private static String paxPath(byte[] data, String current) {
        // records "<len> key=value\n"
        String records = new String(data, StandardCharsets.UTF_8);
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0 && line.startsWith("path=", space + 1)) {
                return line.substring(space + 1 + "path=".length());
            }
        }
        return current;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int read = in.readNBytes(block, 0, BLOCK);
        if (read == 0) {
            return false;
        }
        if (read < BLOCK) {
            throw new EOFException("truncated tar header");
        }
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) {
        String digits = text(header, offset, length).trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
    }

    private static byte[] readFully(InputStream in, long size) throws IOException {
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException("truncated tar entry");
        }
        return data;
    }

    private static void skip(InputStream in, long size) throws IOException {
        in.skipNBytes(size);
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        skip(in, (BLOCK - size % BLOCK) % BLOCK);
    }

    /** The content of one entry: reads stop at its end and {@link #close()} does not close the archive. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedStream(InputStream in, long size) {
            this.in = in;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int read = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (read > 0) {
                remaining -= read;
            }
            return read;
        }

        void drain() throws IOException {
            in.skipNBytes(remaining);
            remaining = 0;
        }

        @Override
        public void close() {
            // the archive stays open
        }
    }

    /** Collects bytes for {@link #writeFile}. */
    static byte[] bytes(EntryWriter writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out);
        return out.toByteArray();
    }

    @FunctionalInterface
    interface EntryWriter {
        void write(OutputStream out) throws IOException;
    }
}
