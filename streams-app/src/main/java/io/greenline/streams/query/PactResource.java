package io.greenline.streams.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.greenline.events.BatchFootprint;
import io.greenline.streams.carbon.pact.PactRenderer;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code GET /pact/3/footprints} and {@code /pact/3/footprints/{id}}: the latest version of every batch
 * footprint as a PACT v3 ProductFootprint (rendered by the carbon ledger's {@link PactRenderer}), gathered
 * from every instance. The id is the renderer's name-based UUID of (batchId, version), the same on every
 * instance; {@code {id}} may also be a batchId. Footprints without a declarable PCF are left out.
 */
public final class PactResource {

    private final QueryApi api;
    private final PactRenderer renderer;
    private final ObjectMapper json;

    public PactResource(QueryApi api, PactRenderer renderer, ObjectMapper json) {
        this.api = api;
        this.renderer = renderer;
        this.json = json;
    }

    /** {@code GET /pact/3/footprints}: {@code {"data": [ProductFootprint...]}}. */
    public void list(Context ctx) {
        QueryApi.Gathered gathered = api.gatherItems(ctx, () -> local(f -> true), "id", (a, b) -> a);
        if (gathered == null) {
            return;
        }
        ObjectNode body = json.createObjectNode();
        body.set("data", json.valueToTree(gathered.items()));
        ctx.header("X-Greenline-Complete", String.valueOf(gathered.complete()));
        api.qualify(ctx, gathered.stale(), gathered.lagRecords());
        ctx.contentType("application/json").result(body.toString());
    }

    /** {@code GET /pact/3/footprints/{id}}: {@code {"data": ProductFootprint}}. */
    public void one(Context ctx) {
        String id = ctx.pathParam("id");
        Predicate<BatchFootprint> wanted = f -> f.getBatchId().equals(id)
                || PactRenderer.footprintId(f.getBatchId(), f.getVersion()).toString().equals(id);
        QueryApi.Gathered gathered = api.gatherItems(ctx, () -> local(wanted), "id", (a, b) -> a);
        if (gathered == null) {
            return;
        }
        if (gathered.items().isEmpty()) {
            if (!gathered.complete()) {
                throw new StoreUnavailableException("Footprint " + id + " not found, and not every instance answered");
            }
            throw ApiException.notFound("No footprint " + id);
        }
        ObjectNode body = json.createObjectNode();
        body.set("data", gathered.items().get(0));
        api.qualify(ctx, gathered.stale(), gathered.lagRecords());
        ctx.contentType("application/json").result(body.toString());
    }

    private StoreRouter.Read<QueryApi.Listing> local(Predicate<BatchFootprint> filter) {
        StoreRouter.Read<List<BatchFootprint>> read = api.localFootprints(filter::test);
        List<ObjectNode> rendered = new ArrayList<>();
        for (BatchFootprint f : read.value()) {
            renderer.render(f).ifPresent(rendered::add);
        }
        return new StoreRouter.Read<>(QueryApi.Listing.of(rendered), read.stale(), read.lagRecords());
    }
}
