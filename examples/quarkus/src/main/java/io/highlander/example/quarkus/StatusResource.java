package io.highlander.example.quarkus;

import io.highlander.cdi.LeaderElector;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.SingletonStatus;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Shows what this node knows of the election, and calls the singleton where it runs. */
@Path("/")
public class StatusResource {

    @Inject
    LeaderElector elector;

    @Inject
    Ticker ticker;

    /** @return each singleton's status on this node */
    @GET
    @Path("status")
    public List<SingletonStatus> status() {
        return elector.status();
    }

    /** @return when the singleton started, on the leader; 409 on any other node */
    @GET
    @Path("ticker")
    public Response ticker() {
        try {
            return Response.ok(ticker.started().toString()).build();
        } catch (NotLeaderException e) {
            return Response.status(Response.Status.CONFLICT).entity(e.getMessage()).build();
        }
    }
}
