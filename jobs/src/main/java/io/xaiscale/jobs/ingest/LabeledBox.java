package io.xaiscale.jobs.ingest;

import io.xaiscale.image.Box;
import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One object of an image as an annotation gives it: a half-open box in the image's pixel coordinates
 * and its class (the index in the model card, its name, both, or neither: then the image's label
 * applies), with VOC's {@code difficult} flag when there is one. A row of {@code images.boxes}.
 */
public record LabeledBox(Box box, Integer label, String labelName, Boolean difficult) implements Serializable {
    public Row toRow() {
        return RowFactory.create(box.x0(), box.y0(), box.x1(), box.y1(), label, labelName, difficult);
    }

    String describe() {
        return box.x0() + "," + box.y0() + "," + box.x1() + "," + box.y1()
                + (label == null && labelName == null ? "" : " " + (label == null ? labelName : label));
    }
}
