package dev.qis.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qis.protocol.avro.DataScale;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScoresTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"20.0 ± 1.2|20.0", "45.2%|45.2", "-0.5|-0.5", ".75|0.75", "1e-3|0.001", "  7 |7"})
    void leadingNumber(String text, double expected) {
        assertEquals(OptionalDouble.of(expected), Scores.leadingNumber(text));
    }

    @ParameterizedTest
    @CsvSource({"n/a", "± 1.2", "''"})
    void noLeadingNumber(String text) {
        assertEquals(OptionalDouble.empty(), Scores.leadingNumber(text));
    }

    @ParameterizedTest
    @CsvSource({"99,LT_100", "100,FROM_100_TO_1K", "9999,FROM_1K_TO_10K", "10000,FROM_10K_TO_100K", "100001,GT_100K",
        "from_1k_to_10k,FROM_1K_TO_10K"})
    void dataScale(String text, DataScale expected) {
        assertEquals(expected, DataScales.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"16,16", "0.0002,2.0E-4", "true,true", "cosine,cosine", "1e-5,1.0E-5"})
    void paramText(String text, String expected) {
        assertEquals(expected, String.valueOf(ParamText.typed(text)));
    }
}
