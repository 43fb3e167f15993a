package io.talentpulse.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CodePointMapTest {
    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // 'A' -> "a" (an ASCII entry, as the gazetteer's fold has), 'é' -> "e", soft hyphen -> "", '𝐋' -> "l"
    private final CodePointMap lowerCasing = new CodePointMap(new int[] {0x1D40B, 'A', 0xAD, 0xE9},
        new byte[][] {utf8("l"), utf8("a"), utf8(""), utf8("e")});
    private final CodePointMap nonAscii = new CodePointMap(new int[] {0xE9}, new byte[][] {utf8("_")});

    @Test
    void stringsAndBytesMapAlike() {
        for (String text : new String[] {"CAFé", "Py\u00adthon", "𝐋ondon", "Ab\u00e9\u00e9A", "", "plain"}) {
            assertEquals(new String(lowerCasing.apply(utf8(text)), StandardCharsets.UTF_8), lowerCasing.apply(text));
            assertEquals(new String(nonAscii.apply(utf8(text)), StandardCharsets.UTF_8), nonAscii.apply(text));
        }
        assertEquals("aBCafe", lowerCasing.apply("ABCAfé"));
        assertEquals("lo", lowerCasing.apply("𝐋o"));
        assertEquals("Python", lowerCasing.apply("Py\u00adthon"));
        assertEquals("Caf_ ABC", nonAscii.apply("Café ABC"));
    }

    @Test
    void unmappedTextIsReturnedAsItIs() {
        String text = "nothing to map here, ü";
        byte[] bytes = utf8(text);
        assertSame(text, lowerCasing.apply(text));
        assertSame(bytes, lowerCasing.apply(bytes));
        byte[] stray = {'a', (byte) 0xff, (byte) 0xc3};
        assertArrayEquals(stray, nonAscii.apply(stray));
    }
}
